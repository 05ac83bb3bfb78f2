import { Command } from 'commander';

/** Registers `bi-embed construct` (filled in by its issue). */
export function registerConstruct(program: Command): void {
  void program;
}
