/**
 * Why the machine registry refused something. The conflict codes carry libvirt's words
 * (src/conf/virdomainobjlist.c), so scripts that match virsh's messages match ours.
 */
export type RegistryErrorCode =
  /** Same name and UUID as a live machine (VIR_ERR_OPERATION_INVALID). */
  | "DOMAIN_ACTIVE"
  /** Same name as a live machine with another UUID (VIR_ERR_OPERATION_FAILED). */
  | "DOMAIN_EXISTS"
  /** Same UUID as a live machine with another name (VIR_ERR_OPERATION_FAILED). */
  | "DOMAIN_UUID_EXISTS"
  | "INVALID_NAME"
  | "INVALID_UUID"
  | "INVALID_RECORD"
  /** The runtime directory cannot be created or is not safe to use (someone else owns it). */
  | "RUNTIME_DIR"
  /** Another process held the registry lock for too long. */
  | "LOCK_TIMEOUT"
  | "NOT_REGISTERED";

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  /** The file or directory the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(code: RegistryErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RegistryError";
    this.code = code;
    this.path = options.path;
  }
}
