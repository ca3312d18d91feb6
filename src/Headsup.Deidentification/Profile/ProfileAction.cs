namespace Headsup.Deidentification.Profile;

/// <summary>
/// The action codes of PS3.15 Table E.1-1 (section E.1.1). Compound codes name the choices the standard allows; which
/// one this library takes is described on each value (the IOD's attribute types are not looked up, so the choice is the
/// one that keeps any IOD conformant).
/// </summary>
public enum ProfileAction
{
    /// <summary>K: keep (sequences are kept and cleaned recursively). Attributes the table does not list are kept.</summary>
    Keep,

    /// <summary>X: remove.</summary>
    Remove,

    /// <summary>Z: replace with a zero-length value (Patient ID and Patient's Name get the keyed pseudonym instead, a dummy value Z allows). A sequence keeps no items.</summary>
    Zero,

    /// <summary>D: replace with a non-zero-length dummy value consistent with the VR. A sequence keeps its items with every text, date and time value inside replaced.</summary>
    Dummy,

    /// <summary>U: replace with a UID that is consistent within the set of instances (here: a keyed hash of the original).</summary>
    Uid,

    /// <summary>Z/D: zero length when the original is empty, otherwise a dummy value (D is valid wherever Z is).</summary>
    ZeroOrDummy,

    /// <summary>
    /// X/Z: zero length (valid for Type 2 and Type 3 attributes). A sequence is removed (a Type 3 sequence may not be
    /// present without items), except Acquisition Context Sequence, Type 2 wherever it is used, which keeps no items.
    /// </summary>
    RemoveOrZero,

    /// <summary>X/D: a dummy value (valid for Type 1 and Type 3 attributes); a sequence is removed.</summary>
    RemoveOrDummy,

    /// <summary>X/Z/D: a dummy value (valid for every type); a sequence is removed, as for <see cref="RemoveOrZero"/>.</summary>
    RemoveOrZeroOrDummy,

    /// <summary>X/Z/U*: the sequence is kept and cleaned recursively, so the instance UIDs it holds are replaced.</summary>
    RemoveOrZeroOrReplaceUids,
}

/// <summary>Parses and prints the table's action codes.</summary>
public static class ProfileActionCodes
{
    /// <summary>Parses a code as written in Table E.1-1 (K, X, Z, D, U, Z/D, X/Z, X/D, X/Z/D, X/Z/U*).</summary>
    public static bool TryParse(string code, out ProfileAction action)
    {
        ArgumentNullException.ThrowIfNull(code);
        ProfileAction? parsed = code.Trim() switch
        {
            "K" => ProfileAction.Keep,
            "X" => ProfileAction.Remove,
            "Z" => ProfileAction.Zero,
            "D" => ProfileAction.Dummy,
            "U" => ProfileAction.Uid,
            "Z/D" => ProfileAction.ZeroOrDummy,
            "X/Z" => ProfileAction.RemoveOrZero,
            "X/D" => ProfileAction.RemoveOrDummy,
            "X/Z/D" => ProfileAction.RemoveOrZeroOrDummy,
            "X/Z/U*" => ProfileAction.RemoveOrZeroOrReplaceUids,
            _ => null,
        };
        action = parsed ?? ProfileAction.Keep;
        return parsed is not null;
    }

    /// <summary>The code as written in the table.</summary>
    public static string Code(this ProfileAction action) => action switch
    {
        ProfileAction.Keep => "K",
        ProfileAction.Remove => "X",
        ProfileAction.Zero => "Z",
        ProfileAction.Dummy => "D",
        ProfileAction.Uid => "U",
        ProfileAction.ZeroOrDummy => "Z/D",
        ProfileAction.RemoveOrZero => "X/Z",
        ProfileAction.RemoveOrDummy => "X/D",
        ProfileAction.RemoveOrZeroOrDummy => "X/Z/D",
        ProfileAction.RemoveOrZeroOrReplaceUids => "X/Z/U*",
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
