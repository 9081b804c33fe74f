export { CredentialStore } from './credential-store.js';
export { SecretUnreadableError } from './secret-box.js';
export { parseSecretKey, SECRET_KEY_HELP, type SecretKey } from './secret-key.js';
