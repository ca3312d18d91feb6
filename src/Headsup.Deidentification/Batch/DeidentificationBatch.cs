namespace Headsup.Deidentification.Batch;

/// <summary>One input of a batch: a name for reports (a path relative to the input, or an archive entry) and a way to open its bytes.</summary>
/// <param name="Name">The name used in reports and messages.</param>
/// <param name="Open">Opens the bytes; the caller of the delegate disposes the stream.</param>
public sealed record DeidentificationInput(string Name, Func<Stream> Open);

/// <summary>An input that was not written, and why (never an identifying value).</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Reason">Why.</param>
public sealed record DeidentificationIssue(string Name, string Reason);

/// <summary>Progress after each input.</summary>
/// <param name="Done">Inputs handled so far.</param>
/// <param name="Total">Inputs in the batch.</param>
/// <param name="Written">Files written so far.</param>
/// <param name="Skipped">Inputs skipped so far (burned-in annotation, duplicates).</param>
/// <param name="Failed">Inputs that failed so far.</param>
public sealed record DeidentificationProgress(int Done, int Total, int Written, int Skipped, int Failed);

/// <summary>What a batch did.</summary>
public sealed class DeidentificationSummary
{
    /// <summary>Creates the summary.</summary>
    public DeidentificationSummary(IReadOnlyList<DeidentifiedFile> written, IReadOnlyList<DeidentificationIssue> skipped, IReadOnlyList<DeidentificationIssue> failed)
    {
        Written = written;
        Skipped = skipped;
        Failed = failed;
    }

    /// <summary>The files written, in input order.</summary>
    public IReadOnlyList<DeidentifiedFile> Written { get; }

    /// <summary>Inputs not written on purpose: Burned In Annotation YES, or the same instance as one already written.</summary>
    public IReadOnlyList<DeidentificationIssue> Skipped { get; }

    /// <summary>Inputs that could not be de-identified (unreadable, no UIDs, output not writable).</summary>
    public IReadOnlyList<DeidentificationIssue> Failed { get; }

    /// <summary>Distinct pseudonymous patients written (an empty Patient ID counts as one).</summary>
    public int Patients => Written.Select(f => f.Ids.PatientId).Distinct(StringComparer.Ordinal).Count();

    /// <summary>Distinct studies written.</summary>
    public int Studies => Written.Select(f => f.Ids.StudyInstanceUid).Distinct(StringComparer.Ordinal).Count();

    /// <summary>Distinct series written.</summary>
    public int Series => Written.Select(f => f.Ids.SeriesInstanceUid).Distinct(StringComparer.Ordinal).Count();
}

/// <summary>
/// De-identifies a list of inputs into one output folder (<c>&lt;study&gt;/&lt;series&gt;/&lt;sop&gt;.dcm</c>), one at a
/// time: an input that fails or is skipped is recorded with its reason and the rest go on. Memory is bounded by one
/// input file at a time.
/// </summary>
public sealed class DeidentificationBatch
{
    private readonly Deidentifier _deidentifier;
    private readonly string _outputFolder;

    /// <summary>Creates the batch.</summary>
    public DeidentificationBatch(Deidentifier deidentifier, string outputFolder)
    {
        ArgumentNullException.ThrowIfNull(deidentifier);
        ArgumentException.ThrowIfNullOrEmpty(outputFolder);
        _deidentifier = deidentifier;
        _outputFolder = Path.GetFullPath(outputFolder);
    }

    /// <summary>Runs the batch.</summary>
    /// <exception cref="OperationCanceledException">Cancelled between inputs (what was written stays written).</exception>
    public DeidentificationSummary Run(IReadOnlyList<DeidentificationInput> inputs, IProgress<DeidentificationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var written = new List<DeidentifiedFile>();
        var skipped = new List<DeidentificationIssue>();
        var failed = new List<DeidentificationIssue>();
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < inputs.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var input = inputs[i];
            try
            {
                DeidentifiedInstance instance;
                using (var stream = Open(input))
                {
                    instance = _deidentifier.Deidentify(stream, input.Name);
                }

                var path = Deidentifier.OutputPath(instance, input.Name, _outputFolder);
                if (outputs.TryGetValue(path, out var first))
                {
                    skipped.Add(new DeidentificationIssue(input.Name, $"the same SOP Instance UID as {first}, which was written (not overwritten)"));
                }
                else
                {
                    written.Add(Deidentifier.Save(instance, input.Name, path));
                    outputs[path] = input.Name;
                }
            }
            catch (BurnedInAnnotationException ex)
            {
                skipped.Add(new DeidentificationIssue(input.Name, ex.Reason));
            }
            catch (DeidentificationException ex)
            {
                failed.Add(new DeidentificationIssue(input.Name, ex.Reason));
            }

            progress?.Report(new DeidentificationProgress(i + 1, inputs.Count, written.Count, skipped.Count, failed.Count));
        }

        return new DeidentificationSummary(written, skipped, failed);
    }

    private static Stream Open(DeidentificationInput input)
    {
        try
        {
            return input.Open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or Headsup.Dicom.DicomException)
        {
            throw new DeidentificationException(input.Name, "cannot open the input: " + ex.Message, ex);
        }
    }
}
