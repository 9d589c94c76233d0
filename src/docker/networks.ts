// The networks concept of the one Docker client: the private bridge a smoke run's containers share.

/** Networks. Every method rejects with a DockerError. */
export interface DockerNetworks {
  create(name: string, labels: Record<string, string>): Promise<void>;
  /** Removes a network; absent is not an error. */
  remove(name: string): Promise<void>;
}
