namespace ReLICv2.Training;

/// <summary>
/// Writes a file atomically: the content goes to a temporary file in the same directory, which is flushed to disk and then
/// renamed over the destination, so readers see either the old file or the complete new one, never a partial write.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> with <paramref name="write"/>: to a temporary file first, flushed to disk, then renamed
    /// over the destination. When <paramref name="write"/> throws, the temporary file is deleted and the destination is untouched.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteTogether([(path, write)]);
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    /// <summary>
    /// Writes several files as one: every content is written, in order, to a temporary file of its own and flushed to disk
    /// before any destination is replaced, then the temporary files are renamed over their destinations in the same order.
    /// A content that throws (a full disk, a tensor that cannot be read) leaves every destination as it was and no temporary
    /// file behind. Only a crash between two renames (microseconds) can leave the earlier files new and the later ones old:
    /// give last the file that vouches for the others, so that a reader detects the mix (a checkpoint's sidecar records the
    /// length and SHA-256 of its weights).
    /// </summary>
    /// <param name="files">Destinations with the action that writes each one's content; a later action may use what an earlier one computed.</param>
    public static void WriteTogether(IReadOnlyList<(string Path, Action<Stream> Write)> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (var (path, write) in files)
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
            ArgumentNullException.ThrowIfNull(write);
            // A rename over a directory fails: found now, before anything is written or replaced.
            if (Directory.Exists(path)) throw new IOException($"cannot write '{Path.GetFullPath(path)}': a directory of that name is in the way");
        }
        var pending = new List<(string Temp, string Full)>();
        try
        {
            foreach (var (path, write) in files)
            {
                var full = Path.GetFullPath(path);
                var directory = Path.GetDirectoryName(full) ?? ".";
                Directory.CreateDirectory(directory);
                var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
                pending.Add((temp, full));
                using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            for (var i = 0; i < pending.Count; i++)
            {
                File.Move(pending[i].Temp, pending[i].Full, overwrite: true);
                pending[i] = default;
            }
        }
        finally
        {
            foreach (var (temp, _) in pending)
            {
                if (temp is null) continue;
                try
                {
                    File.Delete(temp);
                }
                catch (IOException)
                {
                    // The original failure matters more than a temporary file that could not be removed.
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }
    }
}
