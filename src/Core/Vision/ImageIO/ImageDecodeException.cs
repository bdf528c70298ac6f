namespace ReLICv2.Vision;

/// <summary>
/// A JPEG or PNG file (or buffer) could not be decoded: corrupt, truncated or of an unsupported kind.
/// The message names the file and carries the decoding library's own message.
/// </summary>
public sealed class ImageDecodeException : IOException
{
    public ImageDecodeException(string path, string libraryMessage)
        : base($"Cannot decode image '{path}': {libraryMessage}")
    {
        Path = path;
        LibraryMessage = libraryMessage;
    }

    public ImageDecodeException(string path, string libraryMessage, Exception inner)
        : base($"Cannot decode image '{path}': {libraryMessage}", inner)
    {
        Path = path;
        LibraryMessage = libraryMessage;
    }

    /// <summary>The file (or the name given to an in-memory buffer) that failed.</summary>
    public string Path { get; }

    /// <summary>The message of libjpeg-turbo, libspng or our own format check.</summary>
    public string LibraryMessage { get; }
}
