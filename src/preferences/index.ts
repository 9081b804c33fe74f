export { listPreferences, getPreference, setPreference, deletePreference, type Preference } from './preferences-repo.js';
