/** Public API of the phi module (filled in by its issue). */
export {};
