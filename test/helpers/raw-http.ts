// Raw HTTP/1.1 over a socket, for requests fetch cannot send (missing or repeated Host,
// Expect values, CONNECT, upgrades).
import { connect } from 'node:net';

/** Sends raw bytes and resolves with the whole answer (the server closes or sends a full body). */
export function raw(url: string, request: string): Promise<{ status: number; head: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer to ${JSON.stringify(request.slice(0, 60))}: ${JSON.stringify(text)}`));
    }, 5000);
    const finish = (): void => {
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const head = text.slice(0, split);
      const length = Number(/content-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
      const body = text.slice(split + 4);
      if (Number.isFinite(length) && Buffer.byteLength(body) < length) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      finish();
    });
    socket.on('close', () => {
      finish();
      clearTimeout(timer);
      reject(new Error(`connection closed without a complete answer: ${JSON.stringify(text)}`));
    });
    socket.on('error', () => undefined);
    socket.write(request);
  });
}
