/** The FMA ceiling of bench:train: measured FLOP/s, and the FLOPs one trained byte costs. */
import { native } from '../native';
import { checkIsa } from '../validate';
import { VOCAB } from '../model';

/** FLOP/s of one thread running independent FMA chains for about `seconds` (AVX2 when available). */
export async function fmaPeak(opts: { isa?: string; seconds?: number } = {}): Promise<number> {
  const isa = checkIsa(opts.isa);
  return native().fmaPeak(isa ?? native().info().isa ?? 'scalar', opts.seconds ?? 0.5);
}

/**
 * FLOPs per trained byte (multiply-add = 2): forward Wh·h 2H² and readout 2·256·H;
 * backward dWy and dH 2·2·256·H, dWh and dh_prev 2·2H². 294,912 at H = 128.
 */
export function trainFlopsPerByte(hidden: number): number {
  return 6 * hidden * hidden + 6 * VOCAB * hidden;
}
