using System.CommandLine;
using OrleansPathology.Tissue;

namespace OrleansPathology.Client.Commands;

/// <summary><c>--tissue robust|otsu</c>: which rule computes a tissue mask (<see cref="TissueMethod"/>), shared by the commands that make one.</summary>
internal static class TissueOption
{
    public static Option<string> Create()
    {
        var option = new Option<string>("--tissue")
        {
            Description = "Tissue rule: robust (default; leaves out pen ink, debris and bubble rims, finds faint tissue) or otsu (NCRF/MONAI's rule, for parity).",
            DefaultValueFactory = _ => TissueMethods.Name(new TissueMaskOptions().Method),
        };
        option.Validators.Add(r =>
        {
            try
            {
                TissueMethods.Parse(r.GetValueOrDefault<string>()!);
            }
            catch (ArgumentException ex)
            {
                r.AddError($"--tissue: {ex.Message.Split(" (Parameter")[0]}");
            }
        });
        return option;
    }

    public static TissueMethod Parse(string? name) => name is null ? new TissueMaskOptions().Method : TissueMethods.Parse(name);
}
