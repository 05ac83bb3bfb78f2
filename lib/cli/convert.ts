import { Command } from 'commander';
import { convertModel } from '../io/model-file';

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert a model between the raw format (.bin) and safetensors (.safetensors)')
    .argument('<in>', 'input model file')
    .argument('<out>', 'output model file (format from its extension)')
    .action((input: string, output: string) => {
      convertModel(input, output);
    });
}
