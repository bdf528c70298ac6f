using ReLICv2.Data;

namespace ReLICv2.Training;

/// <summary>
/// Makes the views of a batch for optimiser step <paramref name="step"/>: a pure function of the batch and the step, so
/// that a resumed run sees exactly the views it would have seen (implementations derive their seed from the step).
/// </summary>
public delegate PretrainingViews ViewMaker(Batch batch, long step);
