/**
 * Runs tasks one at a time, in arrival order: the provision and ca agents'
 * read-modify-write actions (lock, set_master, gencsr, install_cert,
 * configure) must not interleave when a provisioner sends two at once.
 */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
