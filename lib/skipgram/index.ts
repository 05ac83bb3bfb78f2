/** Public API of the skipgram module (filled in by its issue). */
export {};
