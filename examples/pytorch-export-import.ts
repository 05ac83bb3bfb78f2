/**
 * A model to PyTorch and back. Export (`torchStateDict`): the tensors under the names of an
 * `nn.RNN(256, H)` (one-hot input) + `nn.Linear(H, 256)` state dict, which PyTorch loads with
 * `model.load_state_dict(safetensors.torch.load_file(path))` (docs/formats.md, "Loading in PyTorch").
 * Import: `importTorchStateDict` (CLI: `bi-embed convert --from torch IN OUT`) maps such a state dict —
 * with or without an nn.Embedding — back: Wx = W_ih·Eᵀ, bh = b_ih + b_hh.
 *
 *   npx ts-node examples/pytorch-export-import.ts MODEL CORPUS
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Corpus, evaluate, importTorchStateDict, loadModel, torchStateDict } from 'bi-embed';

async function main(): Promise<void> {
  const [modelFile, corpusFile] = process.argv.slice(2);
  if (!modelFile || !corpusFile) throw new Error('usage: pytorch-export-import.ts MODEL CORPUS');
  const model = loadModel(modelFile);

  // Export: the PyTorch names (bias_hh is zero: bh carries the whole hidden bias).
  const stateDict = torchStateDict(model);
  const file = path.join(os.tmpdir(), `torch-${process.pid}.safetensors`);
  fs.writeFileSync(file, stateDict);

  // Import it back and check that nothing changed.
  const imported = importTorchStateDict(fs.readFileSync(file));
  fs.rmSync(file);
  console.log('mapping:', imported.mapping, imported.notes.length ? `notes: ${imported.notes.join('; ')}` : '');
  const corpus = Corpus.open(corpusFile);
  const [a, b] = await Promise.all([evaluate(model, corpus), evaluate(imported.model, corpus)]);
  console.log(`bpc before ${a.bpc.toFixed(6)}, after the round trip ${b.bpc.toFixed(6)}`);
  if (a.bpc !== b.bpc) throw new Error('the round trip changed the model');
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
