import { native } from './native';
import { version } from './version';
import { BiEmbedError, ErrorCodes } from './errors';

export interface Info {
  version: string;
  /** The ISA used by default (BI_FORCE_ISA, or the best this CPU runs). */
  isa: string;
  forcedIsa?: string;
  isas: string[];
  hardwareThreads: number;
}

export function info(): Info {
  const n = native().info();
  if (n.isa === null) throw new BiEmbedError(ErrorCodes.ISA_UNAVAILABLE, n.isaError ?? 'no usable ISA');
  const forced = process.env.BI_FORCE_ISA;
  return { version: version(), isa: n.isa, forcedIsa: forced || undefined, isas: n.isas, hardwareThreads: n.hardwareThreads };
}
