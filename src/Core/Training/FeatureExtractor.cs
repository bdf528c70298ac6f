using ReLICv2.Data;
using ReLICv2.Nn;

namespace ReLICv2.Training;

/// <summary>
/// Computes an encoder's pooled representation of a whole dataset once (docs/method.md §7: frozen encoder, evaluation mode,
/// so BatchNorm uses and keeps its running statistics), for the linear probe and k-NN, which then train on the cache.
/// Images are scaled to [0, 1]; an optional <c>transform</c> (given the float batch and its index) augments them first,
/// which is how the linear probe's crop-and-flip copies of the training set are cached.
/// </summary>
public static class FeatureExtractor
{
    public static FeatureSet Extract(Module encoder, IImageDataset data, int batchSize = 512, Action<int, int>? progress = null,
        CancellationToken cancellation = default, Func<Tensor, int, Tensor>? transform = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "FeatureExtractor: batchSize must be >= 1");
        var wasTraining = encoder.IsTraining;
        encoder.Eval();
        var features = new List<Tensor>();
        var labels = new List<Tensor>();
        // Images go where the encoder's weights are (a CUDA encoder of a GPU run); features come back to the CPU.
        var device = encoder.Parameters().FirstOrDefault()?.Device ?? Device.Cpu;
        try
        {
            var loader = new DataLoader(data, batchSize, shuffle: false);
            var done = 0;
            var index = 0;
            using var noGrad = Torch.NoGrad();
            foreach (var batch in loader.Epoch(0, cancellation))
            {
                using (batch)
                using (var scope = Torch.NewScope())
                {
                    var x = (device == Device.Cpu ? batch.Images : batch.Images.To(device)).To(DType.Float32) / 255.0;
                    if (transform is not null)
                    {
                        var y = transform(x, index);
                        if (y.Size(0) != x.Size(0) || y.Rank != 4 || y.Size(1) != x.Size(1))
                            throw new InvalidOperationException($"FeatureExtractor: the transform turned a batch of shape [{string.Join(", ", x.Shape)}] into [{string.Join(", ", y.Shape)}]; it must keep the image count and channels");
                        x = y;
                    }
                    index++;
                    features.Add(scope.MoveOut(encoder.Forward(x).To(Device.Cpu)).DetachFromScope());
                    labels.Add(scope.MoveOut(batch.Labels.Alias()).DetachFromScope());
                }
                done += batch.Count;
                progress?.Invoke(done, data.Count);
            }
            return new FeatureSet(Torch.Cat(features).DetachFromScope(), Torch.Cat(labels).DetachFromScope());
        }
        finally
        {
            foreach (var t in features.Concat(labels)) t.Dispose();
            encoder.Train(wasTraining);
        }
    }
}
