using Headsup.Series.Sources;
using Headsup.Service.Storage;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Headsup.Service.Intake;

/// <summary>The outcome of one intake request: every part's outcome, in order.</summary>
public sealed record IntakeResult(IReadOnlyList<PartOutcome> Parts)
{
    /// <summary>Parts stored (or already stored).</summary>
    public int Stored => Parts.Count(p => p.Ok);

    /// <summary>Parts refused.</summary>
    public int Failed => Parts.Count(p => !p.Ok);
}

/// <summary>The request itself cannot be used (wrong content type, no boundary, no parts): answered as problem+json.</summary>
public sealed class IntakeRequestException(int status, string title, string detail) : Exception(detail)
{
    /// <summary>HTTP status of the answer.</summary>
    public int Status { get; } = status;

    /// <summary>Problem title.</summary>
    public string Title { get; } = title;
}

/// <summary>
/// Reads an intake request part by part, streaming (memory bounded by the part buffer, never by the request):
/// STOW-RS multipart/related with application/dicom parts, and the upload form (multipart/form-data with DICOM files
/// or zip archives). Each part goes through <see cref="InstanceIntake"/>; a bad part is reported and the rest go on.
/// </summary>
public sealed class RequestIntake(InstanceIntake intake, IFileStore store, ServiceOptions options)
{
    private const int MaxHeaderBytes = 16 * 1024;

    /// <summary>Reads a STOW-RS request body.</summary>
    /// <exception cref="IntakeRequestException">Not multipart/related, a part type other than application/dicom, or no boundary.</exception>
    public async Task<IntakeResult> StowAsync(string? contentType, Stream body, string? expectedStudy, CancellationToken cancellationToken)
    {
        var boundary = Boundary(contentType, "multipart/related", out var media);
        if (media.Parameters.FirstOrDefault(p => p.Name.Equals("type", StringComparison.OrdinalIgnoreCase)) is { } type &&
            !type.Value.Equals("application/dicom", StringComparison.OrdinalIgnoreCase) && !type.Value.Equals("\"application/dicom\"", StringComparison.OrdinalIgnoreCase))
        {
            throw new IntakeRequestException(415, "Unsupported Media Type", $"Content-Type: type={type.Value} is not supported; this server accepts multipart/related; type=\"application/dicom\" (DICOM Part 10 parts)");
        }

        var reader = Reader(boundary, body);
        var parts = new List<PartOutcome>();
        var batch = new List<(int Slot, StagedPart Part)>();
        int index = 0;
        try
        {
        while (await NextAsync(reader, cancellationToken).ConfigureAwait(false) is { } section)
        {
            index++;
            var name = $"part {index}";
            if (index > options.MaxPartsPerRequest)
            {
                parts.Add(new PartOutcome(index, name, null, null, null, null, InstanceIntake.OutOfResources, $"{name}: more than {options.MaxPartsPerRequest} parts in one request; send the rest in another request"));
                await section.Body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (section.ContentType is { } partType && !partType.StartsWith("application/dicom", StringComparison.OrdinalIgnoreCase) ||
                section.ContentType is { } t2 && t2.StartsWith("application/dicom+", StringComparison.OrdinalIgnoreCase))
            {
                parts.Add(new PartOutcome(index, name, null, null, null, null, InstanceIntake.CannotUnderstand, $"{name}: Content-Type {section.ContentType} is not application/dicom"));
                await section.Body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            batch.Add((parts.Count, await intake.StageAsync(section.Body, index, name, expectedStudy, cancellationToken).ConfigureAwait(false)));
            parts.Add(null!);
            await FlushIfFullAsync(batch, parts, cancellationToken).ConfigureAwait(false);
        }

        await FlushAsync(batch, parts, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var (_, staged) in batch)
            {
                staged.Temp?.Dispose();
            }
        }

        if (index == 0)
        {
            throw new IntakeRequestException(400, "Bad Request", "the multipart body holds no parts");
        }

        return new IntakeResult(parts);
    }

    /// <summary>Reads an upload form: every file field is a DICOM file or a zip archive of them.</summary>
    public async Task<IntakeResult> UploadAsync(string? contentType, Stream body, CancellationToken cancellationToken)
    {
        var boundary = Boundary(contentType, "multipart/form-data", out _);
        var reader = Reader(boundary, body);
        var parts = new List<PartOutcome>();
        int index = 0;
        while (await NextAsync(reader, cancellationToken).ConfigureAwait(false) is { } section)
        {
            var disposition = section.GetContentDispositionHeader();
            if (disposition is null || !disposition.IsFileDisposition())
            {
                await section.Body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            string fileName = SafeName(disposition.FileName.Value ?? disposition.FileNameStar.Value ?? "file");
            if (index >= options.MaxPartsPerRequest)
            {
                index++;
                parts.Add(new PartOutcome(index, fileName, null, null, null, null, InstanceIntake.OutOfResources, $"{fileName}: more than {options.MaxPartsPerRequest} files in one request"));
                await section.Body.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // Sniff: a zip starts with "PK\3\4" whatever the name or declared type says.
            var buffered = new BufferedStream(section.Body, 1 << 16);
            var head = new byte[4];
            int got = await ReadAtLeastAsync(buffered, head, cancellationToken).ConfigureAwait(false);
            var content = new PrefixedStream(head.AsMemory(0, got), buffered);
            if (got == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
            {
                index = await ZipAsync(content, fileName, index, parts, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                index++;
                parts.Add(await intake.AcceptAsync(content, index, fileName, null, cancellationToken).ConfigureAwait(false));
            }
        }

        if (parts.Count == 0)
        {
            throw new IntakeRequestException(400, "Bad Request", "the form holds no files (send DICOM files or zip archives as file fields)");
        }

        return new IntakeResult(parts);
    }

    /// <summary>Parts staged before one database commit: bounded by count and bytes on disk (memory holds only their attributes).</summary>
    private const int BatchParts = 64;

    private const long BatchBytes = 128L * 1024 * 1024;

    private async Task FlushIfFullAsync(List<(int Slot, StagedPart Part)> batch, List<PartOutcome> parts, CancellationToken cancellationToken)
    {
        if (batch.Count >= BatchParts || batch.Sum(b => b.Part.Bytes) >= BatchBytes)
        {
            await FlushAsync(batch, parts, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Commits the staged parts in one transaction and puts their outcomes in their slots of <paramref name="parts"/>.</summary>
    private async Task FlushAsync(List<(int Slot, StagedPart Part)> batch, List<PartOutcome> parts, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var outcomes = await intake.CommitAsync(batch.Select(b => b.Part).ToList(), cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < outcomes.Count; i++)
        {
            parts[batch[i].Slot] = outcomes[i];
        }

        batch.Clear();
    }

    private async Task<int> ZipAsync(Stream content, string fileName, int index, List<PartOutcome> parts, CancellationToken cancellationToken)
    {
        TempFile zip;
        try
        {
            zip = await store.ReceiveAsync(content, options.MaxRequestBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            parts.Add(new PartOutcome(++index, fileName, null, null, null, null, InstanceIntake.OutOfResources, $"{fileName}: the archive could not be received: {ex.Message}"));
            return index;
        }

        using (zip)
        {
            ZipSourceArchive archive;
            var limits = new ArchiveLimits { MaxEntries = options.MaxPartsPerRequest * 2, MaxEntryBytes = options.MaxPartBytes, MaxTotalBytes = options.MaxZipExpandedBytes };
            try
            {
                archive = ZipSourceArchive.Open(zip.Path, limits);
            }
            catch (ArchiveException ex)
            {
                parts.Add(new PartOutcome(++index, fileName, null, null, null, null, ex is ArchiveLimitException ? InstanceIntake.OutOfResources : InstanceIntake.CannotUnderstand,
                    $"{fileName}: {(ex.Entry is null ? string.Empty : $"entry \"{ex.Entry}\": ")}{ex.Problem}"));
                return index;
            }

            using (archive)
            {
                foreach (var source in archive.Sources)
                {
                    index++;
                    var name = $"{fileName}!{source.EntryName}";
                    if (index > options.MaxPartsPerRequest)
                    {
                        parts.Add(new PartOutcome(index, name, null, null, null, null, InstanceIntake.OutOfResources, $"{name}: more than {options.MaxPartsPerRequest} files in one request"));
                        continue;
                    }

                    try
                    {
                        await using var entry = archive.OpenEntry(source);
                        parts.Add(await intake.AcceptAsync(entry, index, name, null, cancellationToken).ConfigureAwait(false));
                    }
                    catch (ArchiveException ex)
                    {
                        parts.Add(new PartOutcome(index, name, null, null, null, null, ex is ArchiveLimitException ? InstanceIntake.OutOfResources : InstanceIntake.CannotUnderstand, $"{name}: {ex.Problem}"));
                    }
                }
            }
        }

        return index;
    }

    private static string Boundary(string? contentType, string expected, out MediaTypeHeaderValue media)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed) || parsed is null)
        {
            throw new IntakeRequestException(415, "Unsupported Media Type", $"Content-Type is {(contentType is null ? "missing" : $"'{contentType}', which cannot be parsed")}; expected {expected}");
        }

        media = parsed;
        if (!media.MediaType.Equals(expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new IntakeRequestException(415, "Unsupported Media Type", $"Content-Type {media.MediaType} is not supported here; expected {expected}");
        }

        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary) || boundary.Length > 200)
        {
            throw new IntakeRequestException(400, "Bad Request", "Content-Type has no usable boundary parameter");
        }

        return boundary;
    }

    private static MultipartReader Reader(string boundary, Stream body) => new(boundary, body)
    {
        HeadersLengthLimit = MaxHeaderBytes,
        HeadersCountLimit = 32,
        BodyLengthLimit = null,
    };

    private static async Task<MultipartSection?> NextAsync(MultipartReader reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new IntakeRequestException(400, "Bad Request", "the multipart body is malformed: " + ex.Message);
        }
        catch (IOException ex) when (ex.Message.Contains("Unexpected end", StringComparison.OrdinalIgnoreCase))
        {
            // A body that ends without the closing boundary: the parts before it were handled.
            return null;
        }
    }

    private static async Task<int> ReadAtLeastAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static string SafeName(string name)
    {
        var trimmed = HeaderUtilities.RemoveQuotes(name).Value ?? "file";
        var clean = new string(trimmed.Select(ch => char.IsControl(ch) ? '_' : ch).ToArray());
        return clean.Length > 120 ? clean[..120] : clean;
    }
}
