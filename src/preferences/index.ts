export { listPreferences, getPreference, setPreference, deletePreference, type Preference } from './preferences-repo.js';
export { registerPreferenceTools } from './preference-tools.js';
