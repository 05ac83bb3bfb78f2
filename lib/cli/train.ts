import { Command } from 'commander';

/** Registers `bi-embed train` (filled in by its issue). */
export function registerTrain(program: Command): void {
  void program;
}
