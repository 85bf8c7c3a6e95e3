export {
  claudeBinary,
  installPlugin,
  PACKAGE_ROOT,
  PLUGIN_DIR,
  PLUGIN_ID,
  type PluginInstallReport,
  type PluginInstallSettings,
  type PluginScope,
} from './install.js';
