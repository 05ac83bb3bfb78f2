import { Command } from 'commander';
import { info } from '../info';
import { jsonOption } from './options';
import { printJson } from './output';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('version, active ISA, available ISAs and thread count')
    .addOption(jsonOption())
    .action((opts: { json?: boolean }) => {
      const i = info();
      if (opts.json) return printJson(i);
      process.stdout.write(
        `bi-embed ${i.version}\nISA: ${i.isa}${i.forcedIsa ? ` (forced by BI_FORCE_ISA=${i.forcedIsa})` : ''}\n` +
          `available ISAs: ${i.isas.join(', ')}\nhardware threads: ${i.hardwareThreads}\n`,
      );
    });
}
