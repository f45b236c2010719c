using System.Text;

namespace Alliance.Analytics.Data;

/// <summary>
/// Writes output files whole or not at all: the content goes to a temporary file in the target's directory, which
/// replaces the target only when writing succeeded. Input files are never opened for writing; a target that is not a
/// regular file, or that is one of the run's inputs, is refused (<see cref="CheckTarget"/>).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes text produced by <paramref name="write"/> to <paramref name="path"/> (UTF-8, no BOM, "\n" line ends).</summary>
    public static void Write(string path, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteStream(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            write(writer);
        });
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> whole or not at all.</summary>
    public static void WriteAllText(string path, string text) => Write(path, w => w.Write(text));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> whole or not at all.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        WriteStream(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Writes through <paramref name="write"/> into a temporary file beside <paramref name="path"/>, then moves it into
    /// place. The target must be a regular file or not exist (see <see cref="CheckTarget"/>). The temporary is named
    /// <c>.NAME.PID.RANDOM.tmp</c> and removed on error or cancellation; temporaries of the same target left by a run
    /// that was killed (its process is gone) are removed first.
    /// </summary>
    /// <exception cref="AllianceInputException">When the target is a directory, a FIFO, a device or a symbolic link.</exception>
    public static void WriteStream(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        CheckTarget(path, []);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string name = Path.GetFileName(full);
        RemoveStaleTemporaries(dir, name);
        string temp = Path.Combine(dir, $".{name}.{Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)}.{Guid.NewGuid().ToString("N")[..8]}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                write(stream);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>
    /// Refuses an output path that would destroy something: an existing directory, FIFO, device, socket or symbolic
    /// link (writing would replace it with a regular file), or any of <paramref name="inputs"/> — compared by device
    /// and inode where the platform reports them (so a hard link or a path through a link is caught), else by the
    /// resolved full path. Callers pass every file the run reads (data, sidecar, key files, a second data file).
    /// </summary>
    /// <exception cref="AllianceInputException">When the output is refused; the message names the path and why.</exception>
    public static void CheckTarget(string path, IEnumerable<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inputs);
        var kind = FileIdentity.Kind(path);
        string? refusal = kind switch
        {
            FileKind.Directory => "is a directory",
            FileKind.Fifo => "is a named pipe (FIFO)",
            FileKind.Device => "is a device",
            FileKind.SymbolicLink => "is a symbolic link (name the file it points to)",
            FileKind.Other => "is not a regular file",
            _ => null,
        };
        if (refusal is null && kind == FileKind.Regular)
            foreach (string input in inputs)
                if (File.Exists(input) && FileIdentity.Same(path, input))
                {
                    refusal = string.Equals(Path.GetFullPath(path), Path.GetFullPath(input), StringComparison.Ordinal)
                        ? "is an input of this run"
                        : $"is an input of this run ({input})";
                    break;
                }
        if (refusal is not null)
            throw new AllianceInputException($"output '{path}' {refusal}: it is not written, so nothing is overwritten", "output");
    }

    /// <summary>Removes <c>.NAME.PID.*.tmp</c> files in <paramref name="dir"/> whose process no longer runs.</summary>
    private static void RemoveStaleTemporaries(string dir, string name)
    {
        string prefix = "." + name + ".";
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(dir, prefix + "*.tmp"); }
        catch (IOException) { return; }
        catch (UnauthorizedAccessException) { return; }
        foreach (string file in candidates)
        {
            var parts = Path.GetFileName(file)[prefix.Length..].Split('.');
            if (parts.Length != 3 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)) continue;
            if (pid == Environment.ProcessId || ProcessRuns(pid)) continue;
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static bool ProcessRuns(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
