// The part of istanbul-lib-instrument the hooks use (the package ships no types).
declare module "istanbul-lib-instrument" {
  export interface InstrumenterOptions {
    coverageVariable?: string;
    esModules?: boolean;
    compact?: boolean;
    produceSourceMap?: boolean;
    preserveComments?: boolean;
  }
  export interface Instrumenter {
    instrumentSync(code: string, filename: string): string;
  }
  export function createInstrumenter(options?: InstrumenterOptions): Instrumenter;
}
