using System.Runtime.InteropServices;
using Alliance.Analytics.Cli;

// Ctrl+C (SIGINT) and SIGTERM cancel the run through the token every library call takes: the verb stops at its next
// check, writes nothing (outputs are whole or not at all), and the process exits 130 (SIGINT) or 143 (SIGTERM), the
// shell's codes for those signals, so a script can tell a cancelled run from a failed analysis (1).
using var cancel = new CancellationTokenSource();
int? signalled = null;
void Cancel(PosixSignalContext context, int exitCode)
{
    context.Cancel = true;   // keep the process alive until the verb has unwound and cleaned up
    signalled ??= exitCode;
    cancel.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Cancel(c, ExitCodes.Cancelled));
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Cancel(c, ExitCodes.Terminated));
int exit = AllianceCli.Run(args, Console.Out, Console.Error, interactive: !Console.IsErrorRedirected, cancel.Token);
return signalled is { } code && exit == ExitCodes.Cancelled ? code : exit;
