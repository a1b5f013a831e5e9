// A Server Component (no 'use client'): renders the wrapper with serialisable props only.
import { KosmosIdvLauncher } from 'kosmos-idv-launcher/react';

export default function Page() {
  return <KosmosIdvLauncher endpoint="/api/idv" documentType="passport" pollInterval={1000} strings={{ start: 'Check my ID' }} />;
}
