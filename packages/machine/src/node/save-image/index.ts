export { saveToImage, type SaveFormat, type SaveProgress, type SaveToImageOptions, type SavedImage } from "./save.js";
export { restoreFromImage, type RestoreFromImageOptions, type RestoredMachine } from "./restore.js";
export { SaveRestoreError, exclusiveFlagsError, runStateFromFlags, type SaveRestoreErrorCode } from "./save-image-error.js";
export { resolveMonitorTarget, type MonitorTarget } from "./monitor-target.js";
export { connectMonitor } from "./connect-monitor.js";
export type { MigrationProgress, MonitorDriver, MonitorFacts, MonitorStatus } from "./monitor-driver.js";
export { QmpDriver } from "./qmp-driver.js";
export { HmpDriver, parseInfoMigrate, parseInfoStatus } from "./hmp-driver.js";
export { quoteHmpString, quoteShellWord, execUriReading, execUriWriting } from "./hmp-quote.js";
export { splitShellWords } from "./shell-words.js";
export {
  buildDomainXml,
  checkAbiStability,
  readDomainDescription,
  QEMU_XML_NAMESPACE,
  SAVEVM_XML_NAMESPACE,
  type DomainDescription,
  type SavevmMetadata,
} from "./domain-xml.js";
export { defineSaveImageXml, editSaveImageXml, type DefineSaveImageOptions } from "./define-image.js";
