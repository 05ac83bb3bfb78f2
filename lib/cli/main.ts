/** The `bi-embed` command line: one subcommand per file in this folder. */
import { Command } from 'commander';
import { registerAttribute } from './attribute';
import { registerBoolean } from './boolean';
import { registerConstruct } from './construct';
import { registerConvert } from './convert';
import { registerErrors } from './errors';
import { registerEval } from './eval';
import { registerFetch } from './fetch';
import { registerInfo } from './info';
import { registerRead } from './read';
import { registerSample } from './sample';
import { registerSkipgram } from './skipgram';
import { registerStudy } from './study';
import { registerTrain } from './train';
import { reportError } from './output';
import { version } from '../version';

export function buildProgram(): Command {
  const program = new Command('bi-embed')
    .description('Train small byte-level RNNs at native speed and crack them (φ: counts → weights, ψ: weights → events).')
    .version(version(), '-V, --version')
    .showHelpAfterError()
    .exitOverride();
  registerInfo(program);
  registerEval(program);
  registerConvert(program);
  registerTrain(program);
  registerConstruct(program);
  registerRead(program);
  registerSkipgram(program);
  registerBoolean(program);
  registerAttribute(program);
  registerErrors(program);
  registerSample(program);
  registerStudy(program);
  registerFetch(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const code = (e as { code?: string }).code;
    // commander's own exits (help, version, usage errors) already printed their text
    if (typeof code === 'string' && code.startsWith('commander.')) {
      process.exitCode = code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
      return;
    }
    reportError(e);
  }
}
