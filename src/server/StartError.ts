/**
 * The service cannot start: bad settings found before listening (`config`: exit 2), or the
 * listen itself failed (`listen`: exit 1). `problems` are plain sentences, each naming the
 * setting at fault; serve logs them as one `fatal` line and prints them on stderr, without a
 * stack trace.
 */
export class StartError extends Error {
  constructor(
    readonly problems: string[],
    readonly kind: 'config' | 'listen',
  ) {
    super(problems.join('; '));
    this.name = 'StartError';
  }
}
