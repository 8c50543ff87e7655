/** The message of the error `decode` throws, or 'decoded' when it throws none: a decoder's refusal, checked in full. */
export function refusal(decode: () => unknown): string {
  try {
    decode();
  } catch (err) {
    return (err as Error).message;
  }
  return 'decoded';
}

/** {@link refusal} of an asynchronous decoder. */
export async function refusalAsync(decode: () => Promise<unknown>): Promise<string> {
  try {
    await decode();
  } catch (err) {
    return (err as Error).message;
  }
  return 'decoded';
}
