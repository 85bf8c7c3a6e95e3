export { ACTIVE_DIR, type ActiveRunMarker, activeDir, markRunActive } from './active-runs.js';
