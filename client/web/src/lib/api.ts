// The one place the web client makes its REST client: every REST call goes through the SDK's
// RoundtableApi (client/sdk/roundtable-api.ts), never a hand-written fetch in a component.
import { RoundtableApi } from '../../../sdk/roundtable-api.js';

/** The REST API of this origin, as the holder of `token` (none: anonymous). */
export function api(token?: string | null): RoundtableApi {
  return new RoundtableApi(window.location.origin, token ?? undefined);
}

/** Hands a file the server made (a transcript, a CSV) to the browser as a download. */
export async function downloadFile(token: string, path: string, filename: string): Promise<void> {
  const blob = await api(token).download(path);
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
