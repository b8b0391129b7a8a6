export interface Balancer {
  port: number;
  url: string;
  close(): Promise<void>;
}
export function startBalancer(options: {
  port?: number;
  host?: string;
  backends: Array<{ host?: string; port: number }>;
}): Promise<Balancer>;
