import { generateKeyPair, type KosmosKeyPair } from '../server/crypto.js';

/** The docuverify service's own key pair, generated at start; `rotate()` replaces it. */
export class ServiceKeys {
  private pair: KosmosKeyPair = generateKeyPair();

  get current(): KosmosKeyPair {
    return this.pair;
  }

  /** A new key pair: responses carry the new public key; requests made for the old one fail. */
  rotate(): KosmosKeyPair {
    this.pair = generateKeyPair();
    return this.pair;
  }
}
