export { getSetting, setSetting, deleteSetting } from './settings-repo.js';
