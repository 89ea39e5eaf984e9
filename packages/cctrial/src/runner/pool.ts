/** Runs async jobs with at most `concurrency` in flight, in the order given. */
export async function runPool<Job, Result>(
  jobs: readonly Job[],
  concurrency: number,
  work: (job: Job, index: number) => Promise<Result>,
): Promise<Result[]> {
  const results: Result[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const index = next++;
      results[index] = await work(jobs[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, jobs.length)) }, worker));
  return results;
}
