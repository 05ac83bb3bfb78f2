/** Whether this host stores numbers little-endian (the byte order of every file format here). */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
