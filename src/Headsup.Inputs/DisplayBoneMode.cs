namespace Headsup.Inputs;

/// <summary>Which white pixels of a display image are read as bone (<see cref="DisplayBone"/>; brain-plus only).</summary>
public enum DisplayBoneMode
{
    /// <summary>None: white is the top of the display window (an 80 HU ring where the skull is).</summary>
    Off,

    /// <summary>The skull and white outside it, whatever the export (package input <c>"display_bone": "skull"</c>).</summary>
    Skull,

    /// <summary>
    /// The same, only when the skull is cleanly clipped (<see cref="DisplayBone.MinSaturatedFraction"/>); other exports
    /// keep the plain reading (package input <c>"display_bone": "saturated-skull"</c>).
    /// </summary>
    SaturatedSkull,
}
