using System.Runtime.InteropServices;

namespace Alliance.Analytics.Data;

/// <summary>What kind of thing a path names.</summary>
internal enum FileKind
{
    /// <summary>Nothing exists there.</summary>
    Missing,
    /// <summary>A regular file.</summary>
    Regular,
    /// <summary>A directory.</summary>
    Directory,
    /// <summary>A symbolic link (not followed).</summary>
    SymbolicLink,
    /// <summary>A named pipe (FIFO).</summary>
    Fifo,
    /// <summary>A character or block device.</summary>
    Device,
    /// <summary>A socket or another kind of special file.</summary>
    Other,
}

/// <summary>
/// The identity of a file (device and inode, through the C library's <c>lstat</c>/<c>stat</c> on Linux x64 and
/// arm64) and its kind, so that an output can be refused when it is an input under another name (a hard link, a
/// path through a symbolic link) or not a regular file (a FIFO or device .NET reports as a normal file). Elsewhere
/// it falls back to what .NET can tell: resolved full paths and directory/link attributes.
/// </summary>
internal static class FileIdentity
{
    // struct stat on 64-bit Linux: st_dev at 0 and st_ino at 8 (both 8 bytes); st_mode (4 bytes) at 24 on x64
    // (after the 8-byte st_nlink) and at 16 on arm64. The buffer is larger than either struct.
    private const int StatBufferSize = 256;
    private const uint TypeMask = 0xF000, Regular = 0x8000, DirectoryMode = 0x4000, Link = 0xA000, Fifo = 0x1000, CharDevice = 0x2000, BlockDevice = 0x6000;

    // DllImport rather than LibraryImport: the generated stubs of the latter need unsafe code, which the library does not allow.
    [DllImport("libc", EntryPoint = "lstat", SetLastError = true)]
    private static extern int LStat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buffer);

    [DllImport("libc", EntryPoint = "stat", SetLastError = true)]
    private static extern int Stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [Out] byte[] buffer);

    private static int? ModeOffset => !OperatingSystem.IsLinux() ? null : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 24,
        Architecture.Arm64 => 16,
        _ => null,
    };

    /// <summary>Device and inode of the file <paramref name="path"/> names (links followed), or null where unknown.</summary>
    public static (ulong Device, ulong Inode)? Identity(string path)
    {
        if (ModeOffset is null) return null;
        var buffer = new byte[StatBufferSize];
        try
        {
            if (Stat(path, buffer) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        return (BitConverter.ToUInt64(buffer, 0), BitConverter.ToUInt64(buffer, 8));
    }

    /// <summary>The kind of thing at <paramref name="path"/>, without following a final symbolic link.</summary>
    public static FileKind Kind(string path)
    {
        if (ModeOffset is { } offset)
        {
            var buffer = new byte[StatBufferSize];
            try
            {
                if (LStat(path, buffer) != 0) return FileKind.Missing;
                return (BitConverter.ToUInt32(buffer, offset) & TypeMask) switch
                {
                    Regular => FileKind.Regular,
                    DirectoryMode => FileKind.Directory,
                    Link => FileKind.SymbolicLink,
                    Fifo => FileKind.Fifo,
                    CharDevice or BlockDevice => FileKind.Device,
                    _ => FileKind.Other,
                };
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // fall through to what .NET can tell
            }
        }
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) return FileKind.SymbolicLink;
        if (System.IO.Directory.Exists(path)) return FileKind.Directory;
        return info.Exists ? FileKind.Regular : FileKind.Missing;
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> name the same existing file (same device and inode, or the same resolved path).</summary>
    public static bool Same(string a, string b)
    {
        if (Identity(a) is { } x && Identity(b) is { } y) return x == y;
        return string.Equals(RealPath(a), RealPath(b), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }

    /// <summary>The full path with every symbolic link along the final component resolved.</summary>
    public static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
