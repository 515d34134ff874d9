//! The clock-free benchmark jobs the browser page times: the matmul job computes the
//! product in every shape, the tiny dispatch really runs, and read-backs see its output.

use nn_playground::backend::webgpu::MatmulShape;
use nn_playground::kernels::scalar;

use super::Gpu;
use crate::common::random_matrix;

pub async fn matmul_job_reads_back_the_product_in_all_three_shapes(gpu: &Gpu) {
    let (_, run) = gpu;
    let (m, k, n) = (33, 17, 9);
    for (s, shape) in [MatmulShape::Nn, MatmulShape::Tn, MatmulShape::Nt]
        .into_iter()
        .enumerate()
    {
        let a = random_matrix(1, m * k, -1.0, 1.0, 40 + s as u64).into_vec();
        let b = random_matrix(1, k * n, -1.0, 1.0, 50 + s as u64).into_vec();
        let mut want = vec![f32::NAN; m * n];
        match shape {
            MatmulShape::Nn => scalar::gemm_nn(m, k, n, &a, &b, &mut want, false),
            MatmulShape::Tn => scalar::gemm_tn(m, k, n, &a, &b, &mut want, false),
            MatmulShape::Nt => scalar::gemm_nt(m, k, n, &a, &b, &mut want, false),
        }
        let job = run.matmul_job(shape, m, k, n, &a, &b).unwrap();
        assert_eq!(job.flops(), 2.0 * (m * k * n) as f64);
        for reps in [1, 5] {
            let got = run.run_matmul_job(&job, reps).await.unwrap();
            assert!(
                (got - want[0]).abs() <= 1e-5 * k as f32,
                "{shape:?} ×{reps}: GPU C[0,0] = {got}, CPU {}",
                want[0]
            );
        }
    }
}

pub async fn matmul_job_refuses_wrong_operands(gpu: &Gpu) {
    let (_, run) = gpu;
    assert!(run
        .matmul_job(MatmulShape::Nn, 2, 3, 4, &[0.0; 6], &[0.0; 11])
        .is_err());
    assert!(run
        .matmul_job(MatmulShape::Tn, 0, 3, 4, &[], &[0.0; 12])
        .is_err());
}

pub async fn tiny_dispatch_runs_and_read_back_sees_it(gpu: &Gpu) {
    let (_, run) = gpu;
    let job = run.dispatch_job().unwrap();
    assert_eq!(run.read_back_one(&job).await.unwrap(), 0.0);
    run.run_dispatches(&job, 1).await.unwrap();
    assert_eq!(run.read_back_one(&job).await.unwrap(), 3.0);
    run.run_dispatches(&job, 200).await.unwrap();
    assert_eq!(run.read_back_one(&job).await.unwrap(), 3.0);
}
