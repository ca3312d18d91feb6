namespace Headsup.Inputs;

/// <summary>A slice with the neighbours its recipe needs (null: none, or not needed; the recipe repeats the centre).</summary>
/// <param name="Center">The slice the input is for.</param>
/// <param name="Previous">The slice before it in the sorted series.</param>
/// <param name="Next">The slice after it.</param>
public sealed record SliceStack(SliceImage Center, SliceImage? Previous = null, SliceImage? Next = null)
{
    /// <summary>
    /// The one slice+neighbours reader: loads <paramref name="center"/> (its failure is the caller's to report) and, when
    /// <paramref name="recipe"/> needs them, its neighbours; a neighbour that is absent or cannot be read is left out.
    /// Training, evaluation, detect and explain all read slices through this.
    /// </summary>
    /// <typeparam name="T">What identifies a slice (a labelled sample, an index into a sorted series).</typeparam>
    /// <exception cref="InputException">The centre cannot be read (whatever <paramref name="load"/> throws).</exception>
    public static SliceStack Read<T>(T center, T? previous, T? next, InputRecipe recipe, Func<T, SliceImage> load)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(load);
        var image = load(center);
        if (!recipe.NeedsNeighbours)
        {
            return new SliceStack(image);
        }

        return new SliceStack(image, TryLoad(previous, load), TryLoad(next, load));
    }

    private static SliceImage? TryLoad<T>(T? slice, Func<T, SliceImage> load)
    {
        if (slice is null)
        {
            return null;
        }

        try
        {
            return load(slice);
        }
        catch (InputException)
        {
            return null;
        }
    }
}
