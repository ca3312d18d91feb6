using System.Text.Json;
using Headsup.Service.Data;

namespace Headsup.Service.Feedback;

/// <summary>A reader's label for one slice.</summary>
/// <param name="SopInstanceUid">The slice.</param>
/// <param name="Hemorrhage">Whether the reader sees hemorrhage on it.</param>
public sealed record SliceLabel(string SopInstanceUid, bool Hemorrhage);

/// <summary>What a reader submits about one result.</summary>
public sealed record FeedbackRequest
{
    /// <summary>Whether the reader agrees with the result's decision (required when the result made one).</summary>
    public bool? Agree { get; init; }

    /// <summary>
    /// Whether the reader sees intracranial hemorrhage: required when the result made no decision (its study calibration
    /// rests on too few real studies); optional otherwise, and then it must match agree and the decision.
    /// </summary>
    public bool? Hemorrhage { get; init; }

    /// <summary>The version the reader looked at (default: the study's current result).</summary>
    public int? Version { get; init; }

    /// <summary>Subtypes the reader sees (epidural, intraparenchymal, intraventricular, subarachnoid, subdural).</summary>
    public IReadOnlyList<string>? Subtypes { get; init; }

    /// <summary>Slices the reader labelled individually.</summary>
    public IReadOnlyList<SliceLabel>? Slices { get; init; }

    /// <summary>Free text.</summary>
    public string? Comment { get; init; }
}

/// <summary>A stored feedback entry.</summary>
public sealed record FeedbackEntry(string Id, string StudyInstanceUid, int? Version, string Actor, string? Role, bool? Agree, bool? Hemorrhage,
    IReadOnlyList<string> Subtypes, IReadOnlyList<SliceLabel> Slices, string? Comment, long Created);

/// <summary>Feedback that cannot be stored: the request part and what is wrong (HTTP 400), or a conflict with the study's state (409).</summary>
public sealed class FeedbackException(int status, string message) : Exception(message)
{
    /// <summary>The HTTP status to answer.</summary>
    public int Status { get; } = status;
}

/// <summary>
/// Readers' feedback on results: agree / disagree with the decision, the subtypes they see, slice labels and a comment,
/// with who and when. Each entry is kept (the latest one speaks for the study on the worklist); the reader's study
/// label (hemorrhage yes/no) is derived from the decision the reader saw, so an export can become training data.
/// </summary>
public sealed class FeedbackStore(Db db)
{
    /// <summary>The subtypes a reader can name.</summary>
    public static readonly IReadOnlyList<string> SubtypeNames = ["epidural", "intraparenchymal", "intraventricular", "subarachnoid", "subdural"];

    /// <summary>Longest comment kept.</summary>
    public const int MaxComment = 4000;

    /// <summary>Most slice labels in one entry.</summary>
    public const int MaxSlices = 2000;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    /// <summary>Stores one entry and updates the study's worklist summary, in one transaction.</summary>
    /// <exception cref="FeedbackException">A field is invalid (400), or the study has no such result (404/409).</exception>
    public async Task<FeedbackEntry> AddAsync(string study, string actor, string? role, FeedbackRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var subtypes = (request.Subtypes ?? []).Select(s => s?.Trim().ToLowerInvariant() ?? string.Empty).Distinct().ToList();
        if (subtypes.FirstOrDefault(s => !SubtypeNames.Contains(s)) is { } unknown)
        {
            throw new FeedbackException(400, $"subtypes: '{unknown}' is not one of {string.Join(", ", SubtypeNames)}");
        }

        var slices = request.Slices ?? [];
        if (slices.Count > MaxSlices)
        {
            throw new FeedbackException(400, $"slices: at most {MaxSlices} slice labels (got {slices.Count})");
        }

        if (slices.FirstOrDefault(s => s is null || !IsUid(s.SopInstanceUid)) is { } bad)
        {
            throw new FeedbackException(400, $"slices: '{bad?.SopInstanceUid}' is not a SOP Instance UID (digits and dots, or an RSNA-style ID_ identifier, at most 64 characters)");
        }

        var comment = request.Comment?.Trim();
        if (comment is { Length: > MaxComment })
        {
            throw new FeedbackException(400, $"comment: at most {MaxComment} characters (got {comment.Length})");
        }

        long now = Db.Now();
        var id = "fb_" + Guid.NewGuid().ToString("N")[..16];
        return await db.InTransactionAsync(async (c, t) =>
        {
            var rows = await Db.QueryAsync(c, t, "SELECT result_version, positive FROM studies WHERE study_uid = @study",
                r => (Version: (int?)Db.Long(r, "result_version"), Positive: Db.Long(r, "positive") is { } p ? p == 1 : (bool?)null), new { study }, cancellationToken).ConfigureAwait(false);
            if (rows.Count == 0)
            {
                throw new FeedbackException(404, "no study with this StudyInstanceUID has been received");
            }

            var (current, positive) = rows[0];
            if (current is null)
            {
                throw new FeedbackException(409, "the study has no result yet: feedback is on a result");
            }

            int version = request.Version ?? current.Value;
            bool? decision = positive;
            if (version != current.Value)
            {
                var json = await Db.QueryAsync(c, t, "SELECT result_json FROM jobs WHERE study_uid = @study AND version = @version AND status = 'done'",
                    r => Db.Text(r, "result_json"), new { study, version }, cancellationToken).ConfigureAwait(false);
                if (json.Count == 0 || json[0] is null)
                {
                    throw new FeedbackException(409, $"version: the study has no result version {version}");
                }

                decision = Jobs.TriageJobRunner.StudyEntry(json[0]!) is { } e && e.TryGetProperty("positive", out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False ? p.GetBoolean() : null;
            }

            bool? agree = request.Agree;
            bool? hemorrhage;
            if (decision is { } d)
            {
                if (agree is not { } a)
                {
                    throw new FeedbackException(400, "agree: required (true when the reader agrees with the result's decision, false when not)");
                }

                hemorrhage = a ? d : !d;
                if (request.Hemorrhage is { } stated && stated != hemorrhage)
                {
                    throw new FeedbackException(400, $"hemorrhage: {(stated ? "true" : "false")} contradicts agree {(a ? "true" : "false")} with the decision \"{(d ? "ICH likely" : "no ICH flagged")}\"");
                }
            }
            else
            {
                if (agree is not null)
                {
                    throw new FeedbackException(400, "agree: this result made no decision (its study calibration rests on too few real studies), so there is nothing to agree with; give hemorrhage true or false instead");
                }

                hemorrhage = request.Hemorrhage ?? throw new FeedbackException(400, "hemorrhage: required (true when the reader sees intracranial hemorrhage, false when not): this result made no decision");
            }

            if (subtypes.Count > 0 && hemorrhage is false)
            {
                throw new FeedbackException(400, "subtypes: given, but the feedback says there is no hemorrhage");
            }

            await Db.ExecuteAsync(c, t, """
                INSERT INTO feedback (id, study_uid, version, actor, role, agree, hemorrhage, subtypes, slices, comment, created)
                VALUES (@id, @study, @version, @actor, @role, @agree, @hemorrhage, @subtypes, @slices, @comment, @now)
                """, new
            {
                id, study, version, actor, role, agree = agree is null ? null : (object)(agree.Value ? 1 : 0), hemorrhage = hemorrhage is null ? null : (object)(hemorrhage.Value ? 1 : 0),
                subtypes = JsonSerializer.Serialize(subtypes, s_json), slices = JsonSerializer.Serialize(slices, s_json), comment, now,
            }, cancellationToken).ConfigureAwait(false);
            await Db.ExecuteAsync(c, t, "UPDATE studies SET feedback_agree = @agree, feedback_hemorrhage = @hemorrhage, feedback_by = @actor, feedback_at = @now, updated = @now WHERE study_uid = @study",
                new { study, agree = agree is null ? null : (object)(agree.Value ? 1 : 0), hemorrhage = hemorrhage is null ? null : (object)(hemorrhage.Value ? 1 : 0), actor, now }, cancellationToken).ConfigureAwait(false);
            return new FeedbackEntry(id, study, version, actor, role, agree, hemorrhage, subtypes, slices, comment, now);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Entries of one study (newest first), or of every study (<paramref name="study"/> null).</summary>
    public Task<List<FeedbackEntry>> ListAsync(string? study, CancellationToken cancellationToken = default) =>
        db.QueryAsync("""
            SELECT id, study_uid, version, actor, role, agree, hemorrhage, subtypes, slices, comment, created
            FROM feedback WHERE (@study IS NULL OR study_uid = @study) ORDER BY created DESC
            """, r => new FeedbackEntry(r.GetString(0), r.GetString(1), (int?)Db.Long(r, "version"), r.GetString(3), Db.Text(r, "role"), Db.Long(r, "agree") is { } ag ? ag == 1 : null,
                Db.Long(r, "hemorrhage") is { } h ? h == 1 : null,
                JsonSerializer.Deserialize<List<string>>(Db.Text(r, "subtypes") ?? "[]", s_json) ?? [],
                JsonSerializer.Deserialize<List<SliceLabel>>(Db.Text(r, "slices") ?? "[]", s_json) ?? [],
                Db.Text(r, "comment"), r.GetInt64(10)), new { study }, cancellationToken);

    private static bool IsUid(string? value) =>
        value is { Length: > 0 and <= 64 } && value.All(ch => ch is '.' or '_' or (>= '0' and <= '9') or (>= 'A' and <= 'Z') or (>= 'a' and <= 'z'));
}
