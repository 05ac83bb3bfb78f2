import { Command } from 'commander';

/** Registers `bi-embed read` (filled in by its issue). */
export function registerRead(program: Command): void {
  void program;
}
