/** Public API of the psi module (filled in by its issue). */
export {};
