import { Command } from 'commander';

/** Registers `bi-embed skipgram` (filled in by its issue). */
export function registerSkipgram(program: Command): void {
  void program;
}
