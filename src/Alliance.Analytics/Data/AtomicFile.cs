using System.Text;

namespace Alliance.Analytics.Data;

/// <summary>
/// Writes output files whole or not at all: the content goes to a temporary file in the target's directory, which
/// replaces the target only when writing succeeded. Input files are never opened for writing.
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

    /// <summary>Writes through <paramref name="write"/> into a temporary file beside <paramref name="path"/>, then moves it into place.</summary>
    public static void WriteStream(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
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
}
