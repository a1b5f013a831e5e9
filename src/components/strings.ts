/** Every text the element shows. Set `strings` (any subset) to translate or reword them. */
export interface IdvStrings {
  start: string;
  starting: string;
  /** The window opened for the hosted flow shows it until the flow's address arrives. */
  startingFlow: string;
  reopen: string;
  retry: string;
  startAgain: string;
  chooseDocument: string;
  passport: string;
  drivingLicense: string;
  idCard: string;
  statusLabel: string;
  statusStarting: string;
  statusPending: string;
  statusInProgress: string;
  statusPassed: string;
  statusFailed: string;
  statusNotPerformed: string;
  statusExpired: string;
  statusDeclined: string;
  /** The badge while status reads have failed for 10 s (the backend or the network is down). */
  statusReconnecting: string;
  popupBlocked: string;
  openFlow: string;
  dialogTitle: string;
  close: string;
  openInWindow: string;
  qrTitle: string;
  qrHint: string;
  copyLink: string;
  copied: string;
  errorTitle: string;
  /** Under `errorTitle` when the backend could not be reached or was busy. */
  errorRetry: string;
  /** Under `errorTitle` when the session ran out of time without a final status. */
  errorExpired: string;
  /** Under `errorTitle` for any other failure. */
  errorFailed: string;
}

export const defaultStrings: IdvStrings = {
  start: 'Verify your identity',
  starting: 'Starting…',
  startingFlow: 'Starting verification…',
  reopen: 'Continue verification',
  retry: 'Try again',
  startAgain: 'Start a new verification',
  chooseDocument: 'Choose your document',
  passport: 'Passport',
  drivingLicense: 'Driving licence',
  idCard: 'ID card',
  statusLabel: 'Verification status',
  statusStarting: 'Starting',
  statusPending: 'Not started yet',
  statusInProgress: 'In progress',
  statusPassed: 'Verified',
  statusFailed: 'Verification failed',
  statusNotPerformed: 'Completed, not verified',
  statusExpired: 'Expired',
  statusDeclined: 'Declined',
  statusReconnecting: 'Reconnecting…',
  popupBlocked: 'Your browser blocked the verification window.',
  openFlow: 'Open the verification',
  dialogTitle: 'Identity verification',
  close: 'Close',
  openInWindow: 'Open in a new window instead',
  qrTitle: 'Continue on your phone',
  qrHint: 'Scan this code with your phone’s camera, or open the link on any device.',
  copyLink: 'Copy link',
  copied: 'Link copied',
  errorTitle: 'Something went wrong',
  errorRetry: 'The verification service could not be reached. Try again in a moment.',
  errorExpired: 'This verification session has expired.',
  errorFailed: 'The verification could not continue.',
};
