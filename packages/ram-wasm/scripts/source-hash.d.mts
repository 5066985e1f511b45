/** SHA-256 (hex) over assembly/ and asconfig.json under the package directory `root`. */
export function assemblySourceHash(root: string): Promise<string>;
