/** Public API of the train module (filled in by its issue). */
export {};
