import { Command, Option } from 'commander';
import { ErrorCodes, fail } from '../errors';
import { convertModel, readModelBytes, saveModel } from '../io/model-file';
import { importTorchStateDict } from '../io/torch';
import { jsonOption } from './options';
import { printJson } from './output';

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert a model between the raw format (.bin) and safetensors (.safetensors), or import a PyTorch state dict')
    .argument('<in>', 'input model file')
    .argument('<out>', 'output model file (format from its extension)')
    .addOption(new Option('--from <kind>', 'bi-embed (a raw or bi-embed safetensors file) or torch (an nn.Embedding + nn.RNN + ' +
      'nn.Linear state dict saved with safetensors; Wx = W_ih·Eᵀ, bh = b_ih + b_hh; docs/formats.md)').choices(['bi-embed', 'torch']).default('bi-embed'))
    .addOption(jsonOption('print the tensor mapping and notes as one JSON object'))
    .action((input: string, output: string, flags: { from: string; json?: boolean }) => {
      if (flags.from !== 'torch') {
        convertModel(input, output);
        if (flags.json) printJson({ in: input, out: output, from: flags.from });
        return;
      }
      if (!/\.(safetensors|st)$/i.test(input)) fail(ErrorCodes.MODEL_FORMAT, `--from torch reads a .safetensors state dict, got ${input}`);
      const r = importTorchStateDict(readModelBytes(input));
      saveModel(r.model, output);
      if (flags.json) return printJson({ in: input, out: output, from: 'torch', hidden: r.model.hidden, mapping: r.mapping, notes: r.notes });
      process.stdout.write(`imported H = ${r.model.hidden} from ${input} → ${output}\n` +
        Object.entries(r.mapping).map(([k, v]) => `  ${k.padEnd(2)} ← ${v}\n`).join('') +
        r.notes.map((n) => `note: ${n}\n`).join(''));
    });
}
