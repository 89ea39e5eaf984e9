/**
 * A self-hosted Nx remote cache on loopback: the HTTP protocol Nx speaks through
 * NX_SELF_HOSTED_REMOTE_CACHE_SERVER (`PUT /v1/cache/{hash}` stores an artifact, `GET` returns it or
 * 404), kept in memory. Two fixture clones pointed at it share results as two machines would.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CacheServer {
  url: string;
  /** Every request, as `METHOD hash`. */
  requests: string[];
  close(): Promise<void>;
}

export async function startCacheServer(): Promise<CacheServer> {
  const artifacts = new Map<string, Buffer>();
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const hash = /^\/v1\/cache\/([^/?]+)$/.exec(request.url ?? '')?.[1];
    if (!hash) return void response.writeHead(404).end();
    requests.push(`${request.method} ${hash}`);
    if (request.method === 'GET') {
      const artifact = artifacts.get(hash);
      if (!artifact) return void response.writeHead(404).end();
      return void response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': artifact.length }).end(artifact);
    }
    if (request.method !== 'PUT') return void response.writeHead(405).end();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // An artifact is never replaced: the protocol answers 409 to a second PUT of a hash.
      if (artifacts.has(hash)) return void response.writeHead(409).end();
      artifacts.set(hash, Buffer.concat(chunks));
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
