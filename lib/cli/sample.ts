/** `bi-embed sample`: continue a prompt with the model (seeded, with a temperature), or show its next-byte distribution. */
import { Command } from 'commander';
import { loadModel } from '../io/model-file';
import { DEFAULT_SAMPLE_SEED, DEFAULT_TEMPERATURE, nextByteProbabilities, sample } from '../lm';
import { IsaName } from '../validate';
import { isaOption, jsonOption, modelOption } from './options';
import { interruptible } from './interrupt';
import { printJson } from './output';
import { progressOption, startProgress } from './progress';
import { ErrorCodes, fail } from '../errors';

interface SampleFlags {
  model?: string;
  prompt?: string;
  bytes: string;
  temperature: string;
  seed: string;
  top?: string;
  isa?: string;
  json?: boolean;
  progress?: string;
}

function number(name: string, v: string, ok: (n: number) => boolean, what: string): number {
  const n = Number(v);
  if (v.trim() === '' || !ok(n)) fail(ErrorCodes.OPTION, `${name} must be ${what}, got '${v}'`);
  return n;
}

/** A byte as a reader sees it: the character when printable ASCII, else its code. */
function showByte(b: number): string {
  return b >= 0x21 && b < 0x7f ? `'${String.fromCharCode(b)}'` : b === 0x20 ? "' '" : `0x${b.toString(16).padStart(2, '0')}`;
}

export function registerSample(program: Command): void {
  program
    .command('sample')
    .description('continue a prompt: run it from h = 0, then draw each next byte from p ∝ exp(logit / T) and feed it back')
    .addOption(modelOption())
    .option('--prompt <text>', 'the text to continue (UTF-8, at least one byte)')
    .option('--bytes <n>', 'bytes to generate (0 = only the next-byte distribution)', '200')
    .option('--temperature <t>', 'sampling temperature T; 0 = greedy (the most probable byte)', String(DEFAULT_TEMPERATURE))
    .option('--seed <n>', 'sampler seed (same seed, same bytes)', String(DEFAULT_SAMPLE_SEED))
    .option('--top <k>', 'also print the k most probable next bytes after the prompt')
    .addOption(isaOption())
    .addOption(jsonOption())
    .addOption(progressOption())
    .action(async (flags: SampleFlags) => {
      if (!flags.model || flags.prompt === undefined) fail(ErrorCodes.OPTION, 'sample needs --model FILE and --prompt TEXT');
      const model = loadModel(flags.model);
      const bytes = number('--bytes', flags.bytes, (n) => Number.isSafeInteger(n) && n >= 0, 'an integer ≥ 0');
      const temperature = number('--temperature', flags.temperature, (n) => Number.isFinite(n) && n >= 0, 'a number ≥ 0');
      const seed = number('--seed', flags.seed, (n) => Number.isSafeInteger(n) && n >= 0, 'an integer ≥ 0');
      const top = flags.top === undefined ? 0 : number('--top', flags.top, (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'an integer in 1…256');
      const isa = flags.isa as IsaName | undefined;
      const dist = top > 0 || bytes === 0 ? await nextByteProbabilities(model, flags.prompt, { isa }) : undefined;
      let s;
      if (bytes > 0) {
        const bar = startProgress(flags, 'sample', 'bytes');
        const promptBytes = Buffer.byteLength(flags.prompt);
        s = await interruptible((signal) => sample(model, flags.prompt!, {
          bytes, temperature, seed, isa, signal,
          onProgress: (done, total) => bar.update(Math.max(0, Math.round(done) - promptBytes), total - promptBytes),
        }).finally(bar.stop), () => 'nothing printed (the sample is printed when complete)');
        if (!s) return;
      }
      const topList = dist
        ? Array.from(dist.probs, (p, byte) => ({ byte, p })).sort((a, b) => b.p - a.p || a.byte - b.byte).slice(0, top || 10)
        : undefined;
      if (flags.json) {
        return printJson({ model: flags.model, prompt: flags.prompt, bytes, temperature, seed, text: s?.text,
          promptBpc: dist?.promptBpc, top: topList });
      }
      if (topList) {
        process.stdout.write(`next byte after the prompt:${topList.map((t) => ` ${showByte(t.byte)} ${t.p.toFixed(4)}`).join(',')}\n`);
      }
      if (s) process.stdout.write(s.text + '\n');
    });
}
