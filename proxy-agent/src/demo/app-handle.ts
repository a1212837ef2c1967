// What every demo app (HTTP, gRPC, the TCP store) hands back when it starts: its port and how to stop.
export interface AppHandle {
  port: number;
  close(): Promise<void>;
}
